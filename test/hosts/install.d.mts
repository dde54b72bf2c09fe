/** The host apps under test/hosts/: the folders with a package.json and a package-lock.json. */
export function hostDirs(): string[];
/** Packs the built package and installs it into each host (all, or `only` these). */
export function installHosts(options?: { build?: boolean; only?: string[] }): Promise<void>;
