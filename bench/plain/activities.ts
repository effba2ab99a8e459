/** The plain baseline's activities: the same small computations Baton's code blocks do, in-process. */
export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

export async function numbers(): Promise<{ values: number[]; sum: number }> {
  const values = [1, 2, 3, 4, 5];
  return { values, sum: values.reduce((a, b) => a + b, 0) };
}

export async function summarize(message: string, numbers: { sum: number }): Promise<unknown> {
  return { message, sum: numbers.sum };
}

export async function increment(n: number): Promise<number> {
  return n + 1;
}

export async function scale(n: number, factor: number): Promise<number> {
  return n * factor;
}

export async function total(values: number[]): Promise<number> {
  return values.reduce((a, b) => a + b, 0);
}

export async function listItems(items: number[]): Promise<number[]> {
  return items;
}

export async function square(x: number): Promise<number> {
  return x * x;
}
