import sortedBtree from 'sorted-btree';

/*
 * sorted-btree is CommonJS with `exports.default = BTree`. Node's ESM loader hands an `import`
 * the whole `module.exports` (so the class is at `.default`); bundlers that honour `__esModule`
 * hand over the class itself. Accept both, so errand works from Node and from a browser bundle.
 */
type BTreeClass = typeof sortedBtree.default;
const loaded: unknown = sortedBtree;

export const BTree: BTreeClass = typeof loaded === 'function' ? (loaded as BTreeClass) : sortedBtree.default;
export type BTree<K, V> = import('sorted-btree').default<K, V>;
