// Type-checks files as a strict app importing the built package would: the settings of this
// repository, less the unused-name checks (examples and fixtures declare what they show).
import { resolve } from 'node:path';
import ts from 'typescript';

const STRICT: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  types: ['node'],
  noEmit: true,
};

/**
 * Each file's type errors, by absolute path, as "line N: message", from one program over all of
 * `files` (one tsc start-up), with `extra` settings over the strict ones.
 */
export function typeErrors(files: readonly string[], extra: ts.CompilerOptions = {}): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(ts.createProgram(files, { ...STRICT, ...extra }))) {
    const file = d.file ? resolve(d.file.fileName) : '(no file)';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    errors.set(file, [...(errors.get(file) ?? []), `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`]);
  }
  return errors;
}
