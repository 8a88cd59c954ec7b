// Runs before `npm start`, `npm run dev` and `npm test`: the tools need the Node.js version the
// repository pins (the `node` dev dependency), not the machine's own, possibly older, one.
const required = 26;
const major = Number(process.versions.node.split('.')[0]);
if (major < required) {
  console.error(
    `Chartroom needs Node.js ${required}+, but this npm script runs on Node.js ${process.versions.node}.\n` +
      'The repository installs its own Node.js as a dev dependency; it is missing here, probably\n' +
      'because install scripts were skipped. Run `npm rebuild node` (or `npm ci`) and try again.',
  );
  process.exit(1);
}
