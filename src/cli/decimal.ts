// Plain decimal text for numeric flags ("2", "0.5", ".5", "2."): Number() alone would also take "0x10", "1e3",
// "Infinity" or " ", which no user means as seconds or a threshold.
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The number `text` writes in plain decimal, or null for anything else. */
export function plainDecimal(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}
