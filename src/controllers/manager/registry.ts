// Every controller by upstream's canonical name (1.32's cmd/kube-controller-manager/names)
// with the short alias --controllers also accepts, and whether it is on by default.
import type { ControllerFactory } from './controller.js';

export interface Registration {
  name: string;
  alias: string;
  factory: ControllerFactory;
  disabledByDefault?: boolean;
}

export class ControllerRegistry {
  private readonly byName = new Map<string, Registration>();
  private readonly aliases = new Map<string, string>();

  register(r: Registration): void {
    if (this.byName.has(r.name)) throw new Error(`controller ${r.name} registered twice`);
    this.byName.set(r.name, r);
    this.aliases.set(r.alias, r.name);
  }

  /** Canonical name for a name or alias (undefined if unknown). */
  canonical(name: string): string | undefined {
    return this.byName.has(name) ? name : this.aliases.get(name);
  }

  /** --controllers entries with aliases turned into canonical names (unknown ones kept). */
  normalize(flags: readonly string[]): string[] {
    return flags.map((f) => {
      const neg = f.startsWith('-');
      const base = neg ? f.slice(1) : f;
      if (base === '*') return f;
      const c = this.canonical(base) ?? base;
      return neg ? `-${c}` : c;
    });
  }

  all(): Registration[] { return [...this.byName.values()]; }
  names(): string[] { return [...this.byName.keys()]; }
  disabledByDefault(): Set<string> { return new Set(this.all().filter((r) => r.disabledByDefault).map((r) => r.name)); }
}
