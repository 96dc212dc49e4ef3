/**
 * The vocabulary every layer speaks; it imports nothing above it.
 *
 * <p>Names of the units of work, kept throughout the code:
 * <ul>
 * <li><b>request</b>: one client call as an adapter decodes it ({@link dev.zeroserve.inference.InferenceRequest}).
 * An embeddings request of n texts is n requests answered as one.</li>
 * <li><b>entry</b>: what the queue holds and counts ({@link dev.zeroserve.inference.BatchEntry}): the validated
 * inputs of one request, or of one row of it where the model must not batch, or of as many rows as one execution's
 * token budget holds; its size is in rows.</li>
 * <li><b>row</b>: one position along the batch dimension; queue capacity and batch sizes are counted in rows.</li>
 * <li><b>batch</b>: the entries that one model execution runs together.</li>
 * <li><b>execution</b>: one call of the model ({@link dev.zeroserve.inference.BatchExecutor}).</li>
 * </ul>
 */
package dev.zeroserve.inference;
