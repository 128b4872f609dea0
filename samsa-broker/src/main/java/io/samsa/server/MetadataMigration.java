package io.samsa.server;

import io.samsa.metadata.LocalMetadataLog;
import io.samsa.metadata.MetadataImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data directories written before the metadata quorum hold their metadata in one file, {@code metadata.log}. That
 * file's image is the quorum's starting point until the quorum has a snapshot of its own (which includes it); then
 * the file is renamed {@code metadata.log.migrated} and no longer read. Nothing is rewritten, so a crash at any point
 * of the migration leaves a directory that starts again the same way.
 */
final class MetadataMigration {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataMigration.class);
    static final String LEGACY_FILE = "metadata.log";

    private MetadataMigration() {}

    /** The image of the legacy file in {@code metadataDir}, or the empty image when there is none. */
    static MetadataImage legacyImage(Path metadataDir) {
        if (!Files.isRegularFile(metadataDir.resolve(LEGACY_FILE))) {
            return MetadataImage.EMPTY;
        }
        try (LocalMetadataLog legacy = LocalMetadataLog.open(metadataDir)) {
            MetadataImage image = MetadataImage.EMPTY.apply(legacy.readAll());
            LOG.info("Starting the metadata quorum from {} ({} topics)", metadataDir.resolve(LEGACY_FILE),
                    image.topics().size());
            return image;
        }
    }

    /** Renames the legacy file once a snapshot of the quorum holds its contents. */
    static void retireLegacyLog(Path metadataDir) {
        Path legacy = metadataDir.resolve(LEGACY_FILE);
        if (!Files.isRegularFile(legacy) || !hasSnapshot(metadataDir)) {
            return;
        }
        try {
            Files.move(legacy, metadataDir.resolve(LEGACY_FILE + ".migrated"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cannot rename the migrated metadata file {}: {}", legacy, e.toString());
        }
    }

    private static boolean hasSnapshot(Path metadataDir) {
        try (Stream<Path> files = Files.walk(metadataDir, 3)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("snapshot.")
                    && !f.getFileName().toString().endsWith(".tmp")
                    && !f.getFileName().toString().endsWith(".md5"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
