// Preloaded by `scripts/startup-time.mjs --cpu` (node --require): at exit, writes this process's
// CPU time so far (user + system since it started, in ms) to fd 3, which the script reads.
'use strict';
const { writeSync } = require('node:fs');
process.on('exit', () => {
  const u = process.cpuUsage();
  try {
    writeSync(3, String((u.user + u.system) / 1000));
  } catch {
    // fd 3 not open: started by something else
  }
});
