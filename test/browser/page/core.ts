/** The core bundle whose size the build measures: attachCache with the default MemoryStore. */
export { attachCache } from '../../../lib/index.js';
export { MemoryStore } from '../../../lib/stores/memory.js';
