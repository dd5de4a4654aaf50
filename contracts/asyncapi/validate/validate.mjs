// Validates AsyncAPI documents with the official parser (@asyncapi/parser and its rulesets).
//
//   node validate.mjs [--json] DOCUMENT...
//
// Prints, per document, what the parser counted and its diagnostics of every severity
// (error, warning, info, hint); with --json, one JSON object per line instead. Exits 1 if a
// document does not parse or draws any diagnostic at all.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';

const SEVERITIES = ['error', 'warning', 'info', 'hint'];
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const parser = new Parser();
let clean = true;

for (const path of args.filter((arg) => arg !== '--json')) {
  const text = await readFile(path, 'utf8');
  const { document, diagnostics } = await parser.parse(text, { source: resolve(path) });
  const counts = Object.fromEntries(SEVERITIES.map((name) => [name, 0]));
  for (const diagnostic of diagnostics) counts[SEVERITIES[diagnostic.severity]] += 1;
  const report = {
    document: basename(path),
    parsed: document !== undefined,
    asyncapi: document?.version() ?? null,
    channels: document?.allChannels().length ?? 0,
    operations: document?.allOperations().length ?? 0,
    messages: document?.allMessages().length ?? 0,
    ...counts,
    diagnostics: diagnostics.map((d) => ({
      severity: SEVERITIES[d.severity],
      code: d.code,
      message: d.message,
      path: d.path.join('.'),
    })),
  };
  if (document === undefined || diagnostics.length > 0) clean = false;
  if (asJson) {
    console.log(JSON.stringify(report));
    continue;
  }
  console.log(
    `${report.document}: AsyncAPI ${report.asyncapi ?? '(did not parse)'}, ` +
      `${report.channels} channels, ${report.operations} operations, ${report.messages} messages; ` +
      `${counts.error} errors, ${counts.warning} warnings, ${counts.info} infos, ${counts.hint} hints`,
  );
  for (const d of report.diagnostics) console.log(`  ${d.severity} ${d.code} at ${d.path}: ${d.message}`);
}
process.exit(clean ? 0 : 1);
