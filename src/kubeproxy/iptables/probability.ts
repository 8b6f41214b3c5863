/**
 * kube-proxy's `computeProbability(n)`: 1/n printed with Go's `%0.10f`. Go rounds the exact
 * binary value half-to-even, which differs from `Number.prototype.toFixed` on exact ties
 * (1/2048 = 0.00048828125 prints as 0.0004882812 in Go), so the digits are computed exactly.
 */

const cache: string[] = [];

/** `fmt.Sprintf("%0.10f", 1.0/float64(n))`, memoized like kube-proxy's precomputed table. */
export function computeProbability(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`probability needs a positive endpoint count, got ${n}`);
  const cached = cache[n];
  if (cached !== undefined) return cached;
  const text = formatFixed(1 / n, 10);
  if (n <= 100_000) cache[n] = text;
  return text;
}

/** Exact decimal formatting of a finite non-negative double with `decimals` digits, ties to even. */
export function formatFixed(value: number, decimals: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`cannot format ${value}`);
  // toFixed already rounds the exact value correctly except on exact ties. A tie means
  // value * 2 * 10^decimals is an odd integer; when that product is below 2^53 the float
  // multiplication is exact for such values, so a non-integer product proves "no tie".
  const doubled = value * 2 * 10 ** decimals;
  if (doubled < 2 ** 53 && !Number.isInteger(doubled)) return value.toFixed(decimals);
  // value = mantissa * 2^exponent exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biasedExp === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExp - 1075;
  }
  const scale = 10n ** BigInt(decimals);
  let units: bigint; // round(value * 10^decimals), half to even
  if (exponent >= 0) {
    units = (mantissa << BigInt(exponent)) * scale;
  } else {
    const denominator = 1n << BigInt(-exponent);
    const numerator = mantissa * scale;
    units = numerator / denominator;
    const remainder2 = (numerator % denominator) * 2n;
    if (remainder2 > denominator || (remainder2 === denominator && units % 2n === 1n)) units += 1n;
  }
  const digits = units.toString().padStart(decimals + 1, '0');
  const intPart = digits.slice(0, digits.length - decimals);
  return decimals === 0 ? intPart : `${intPart}.${digits.slice(digits.length - decimals)}`;
}
