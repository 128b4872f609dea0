package io.samsa.log;

/**
 * The points of a segment replacement by the log cleaner after which a crash leaves a different state on disk (see
 * {@link Log#replaceSegments}). The cleaner reports each one to a listener, through which tests stop there to check
 * that reopening the log loses nothing.
 */
enum SwapStep {
    /** The cleaned segment is complete and flushed under its {@code .cleaned} names. */
    CLEANED_WRITTEN,
    /** Its files are renamed to {@code .swap}: from here a reopened log finishes the replacement. */
    SWAP_WRITTEN,
    /** The replaced segments are renamed to {@code .deleted}; only the {@code .swap} suffix remains to drop. */
    OLD_SEGMENTS_DELETED
}
