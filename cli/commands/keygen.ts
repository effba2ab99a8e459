import { generateKey } from '../../shared/codec/index.ts';

export function keygenCommand(): void {
  console.log(generateKey());
}
