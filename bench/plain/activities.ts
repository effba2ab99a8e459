export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

export async function numbers(): Promise<{ values: number[]; sum: number }> {
  const values = [1, 2, 3, 4, 5];
  return { values, sum: values.reduce((a, b) => a + b, 0) };
}

export async function summarize(message: string, numbers: { sum: number }): Promise<unknown> {
  return { message, sum: numbers.sum, ranOn: 'plain' };
}
