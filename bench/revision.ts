// A git revision of hmap's src/, compiled into a temporary folder (cached by commit), for benches that compare
// this build with an earlier one in the same process (bench:metrics, bench:ab).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Compiles src/ of `rev` unless already compiled; returns the commit and the file URL of its index.js. */
export function compileRevision(rev: string): { commit: string; url: string } {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `hmap-baseline-${commit.slice(0, 12)}`);
  const entry = join(dir, 'dist', 'index.js');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} src tsconfig.base.json | tar -x -C "${dir}"`], { cwd: root });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist', typeRoots: [join(root, 'node_modules', '@types')] }, include: ['src/index.ts'] }),
    );
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'inherit' });
  }
  return { commit, url: pathToFileURL(entry).href };
}
