// `-v`/`--v`, klog's verbosity flag. Go's pflag accepts `-v=2` for a shorthand; commander
// hands that over as "=2", so the leading '=' is dropped here. Anything but a whole number
// is a flag error (exit 2), not a silent NaN that turns logging off.
import { InvalidArgumentError } from 'commander';

export function parseVerbosity(value: string): string {
  const v = value.startsWith('=') ? value.slice(1) : value;
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid value "${value}" for -v: want a whole number (log verbosity)`);
  return v;
}
