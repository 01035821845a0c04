// Packing the publishable workspaces and installing the tarballs into a project outside the
// repository, offline: what `npm install <tarballs>` does for a user, with third-party packages
// taken from the npm cache that `npm ci` filled.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { ok, repoRoot, run } from "./repo.js";

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lockfile {
  name: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  license?: string;
  engines?: Record<string, string>;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

export const rootLock = (): Lockfile => readJson<Lockfile>(join(repoRoot, "package-lock.json"));

/** Every workspace: its folder in the repository and its package.json. */
export function workspaces(): { dir: string; manifest: PackageJson }[] {
  return Object.entries(rootLock().packages)
    .filter(([key]) => key !== "" && !key.includes("node_modules"))
    .map(([dir]) => ({
      dir,
      manifest: readJson<PackageJson>(join(repoRoot, dir, "package.json")),
    }));
}

/** The workspaces that are meant to be installed: every one that is not `private`. */
export function publishable(): { dir: string; manifest: PackageJson }[] {
  return workspaces().filter((w) => w.manifest.private !== true);
}

export interface Packed {
  name: string;
  version: string;
  filename: string;
  integrity: string;
  files: { path: string }[];
}

/** `npm pack` of the given workspaces into `destination` (prepack/postpack scripts included). */
export async function pack(names: string[], destination: string): Promise<Packed[]> {
  const args = ["pack", "--json", "--pack-destination", destination];
  for (const name of names) args.push("--workspace", name);
  const result = ok(await run("npm", args, { cwd: repoRoot }), "npm pack");
  return JSON.parse(result.stdout) as Packed[];
}

/**
 * package.json and package-lock.json of a project that depends on the packed tarballs (in
 * `packs/` beside it) and has `devDependencies` for the tools it uses, at the versions the
 * repository's lockfile pins.
 *
 * Why a lockfile: `npm install --offline <tarballs>` would resolve every third-party range
 * against the cached registry metadata, and the newest version there need not be the one whose
 * tarball `npm ci` cached. The lockfile pins each third-party package to the version and
 * integrity the repository installs and tests, so `npm ci --offline` finds every tarball in
 * the cache. It is built from the repository's lockfile by resolving each dependency the way
 * Node does (nearest node_modules first), starting from the packed workspaces.
 */
export function projectFiles(
  packs: Packed[],
  devDependencies: string[],
): { manifest: PackageJson; lock: Lockfile } {
  const monorepo = rootLock().packages;
  const packed = new Map(packs.map((p) => [p.name, p]));
  const folders = new Map(workspaces().map((w) => [w.manifest.name, w.dir]));
  const names = new Map([...folders].map(([name, dir]) => [dir, name]));
  const packages: Record<string, LockEntry> = {};

  // Where a workspace and anything nested under it lands in the new project.
  const placed = (key: string): string => {
    for (const [name, dir] of folders) {
      if (key === dir) return `node_modules/${name}`;
      if (key.startsWith(`${dir}/`)) return `node_modules/${name}/${key.slice(dir.length + 1)}`;
    }
    return key;
  };

  const locate = (from: string, name: string): string | undefined => {
    const parts = from === "" ? [] : from.split("/");
    for (let i = parts.length; i >= 0; i--) {
      if (i > 0 && parts[i - 1] === "node_modules") continue;
      const base = parts.slice(0, i).join("/");
      const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (monorepo[key]) return key;
    }
    return undefined;
  };

  const visit = (key: string): void => {
    const entry = monorepo[key]!;
    if (entry.link) {
      visit(entry.resolved!);
      return;
    }
    const target = placed(key);
    if (packages[target]) return;
    const workspace = names.get(key);
    if (workspace !== undefined) {
      // A workspace: installed from its tarball, described by the manifest that was packed.
      const pack = packed.get(workspace);
      if (!pack) throw new Error(`the packed packages depend on ${workspace}, which is not packed`);
      const manifest = readJson<PackageJson>(join(repoRoot, key, "package.json"));
      packages[target] = {
        version: pack.version,
        resolved: `file:packs/${pack.filename}`,
        integrity: pack.integrity,
        license: manifest.license,
        dependencies: manifest.dependencies,
        peerDependencies: manifest.peerDependencies,
        optionalDependencies: manifest.optionalDependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      };
    } else {
      // A third-party package, as the repository installs it. Its dev/peer flags described its
      // place in the repository; npm works them out again for the new project.
      const copy = { ...entry };
      for (const flag of ["dev", "devOptional", "peer"]) delete copy[flag];
      packages[target] = copy;
    }
    const described = packages[target]!;
    const optionalPeers = Object.entries(described.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([name]) => name);
    const required = [
      ...Object.keys(described.dependencies ?? {}),
      ...Object.keys(described.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n)),
    ];
    const optional = [...Object.keys(described.optionalDependencies ?? {}), ...optionalPeers];
    for (const name of [...required, ...optional]) {
      const found = locate(key, name);
      if (found) visit(found);
      else if (required.includes(name)) {
        throw new Error(`${key}: dependency ${name} is not in package-lock.json`);
      }
    }
  };

  for (const pack of packs) {
    const dir = folders.get(pack.name);
    if (!dir) throw new Error(`${pack.name} is not a workspace`);
    visit(dir);
  }
  const dev: Record<string, string> = {};
  for (const name of devDependencies) {
    const key = `node_modules/${name}`;
    if (!monorepo[key]) throw new Error(`${name} is not installed at the repository root`);
    dev[name] = monorepo[key].version!;
    visit(key);
  }
  const dependencies = Object.fromEntries(packs.map((p) => [p.name, `file:packs/${p.filename}`]));
  const manifest: PackageJson = {
    name: "try-cts-csms",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies,
    devDependencies: dev,
  };
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    manifest,
    lock: {
      name: manifest.name,
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: manifest.name, version: manifest.version, dependencies, devDependencies: dev },
        ...sorted,
      },
    },
  };
}

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`). */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|node:|data:|file:)/.test(specifier)) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The module specifiers a JavaScript or declaration file imports, requires or re-exports. */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']/g,
    /\brequire(?:\.resolve)?\s*\(\s*["']([^"']+)["']/g,
    /\/\/\/\s*<reference\s+types=["']([^"']+)["']/g,
  ];
  // Comments would make prose such as "import … from the spec" look like imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/(?!\/).*$/gm, "");
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.add(m[1]!);
  return [...found];
}
