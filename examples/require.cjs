// The package from CommonJS: the same API as the ESM entry.
const { hashValue, normalizeEmail, DESTINATIONS } = require('audience-etl');

console.log(hashValue(normalizeEmail('  Mary@Example.COM ')));
console.log(Object.keys(DESTINATIONS).join(','));
