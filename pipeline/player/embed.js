/* Placeholder so the build side publishes and tests embed.js: the player helper owns this file
   and its branch replaces it (keep theirs on merge). */
