// Parse a .bib with citation-js (@citation-js/plugin-bibtex), strict mode, warnings captured.
// Usage: node citationjs_parse.cjs FILE.bib bibtex|biblatex → JSON {warnings, items:[CSL]} on stdout;
// exit 1 when parsing throws or logs a warning/error.
const { readFileSync } = require('node:fs')
const warnings = []
for (const level of ['warn', 'error']) {
  console[level] = (...args) => warnings.push(args.map(String).join(' '))
}
const { Cite, plugins, logger } = require('@citation-js/core')
require('@citation-js/plugin-bibtex')
if (logger && logger.setLogLevel) logger.setLogLevel('warn')
// strict mode is not used: it rejects every @misc (citation-js lists no required fields for misc)

const text = readFileSync(process.argv[2], 'utf8')
const type = process.argv[3] === 'biblatex' ? '@biblatex/text' : '@bibtex/text'
let items = []
try {
  items = new Cite(text, { forceType: type }).data
} catch (err) {
  warnings.push('exception: ' + String(err && err.stack || err))
}
process.stdout.write(JSON.stringify({ warnings, items }))
process.exitCode = warnings.length ? 1 : 0
