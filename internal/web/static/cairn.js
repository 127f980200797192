// Cairn's progressive enhancement: every page works without this file.
"use strict";
