// Parse a .bib with @retorquere/bibtex-parser (the parser behind Better BibTeX for Zotero's import).
// Usage: node bbt_parse.mjs FILE.bib  → JSON {errors, entries:[{key, type, title, author, url, doi}]} on stdout;
// exit code 1 when the parser reports an error or throws (e.g. on a TeX command it does not know).
import { readFileSync } from 'node:fs'
import { parse } from '@retorquere/bibtex-parser'

function run(file) {
  const text = readFileSync(file, 'utf8')
  let lib
  try {
    lib = parse(text, { sentenceCase: false })
  } catch (err) {
    return { errors: [{ error: String((err && err.message) || err) }], entries: [] }
  }
  const entries = lib.entries.map(e => ({
    key: e.key,
    type: e.type,
    title: e.fields.title,
    author: (e.fields.author || []).map(a => a.name || [a.prefix, a.lastName].filter(Boolean).join(' ')),
    url: e.fields.url,
    doi: e.fields.doi,
  }))
  return { errors: lib.errors, entries }
}

const result = run(process.argv[2])
process.stdout.write(JSON.stringify(result))
process.exitCode = result.errors.length ? 1 : 0
