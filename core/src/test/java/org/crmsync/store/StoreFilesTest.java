package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreFilesTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearFaults() {
        WriteFaults.clear();
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeAtomicallyReplacesTheFileAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("state.json");
        StoreFiles.writeAtomically(target, "old".getBytes(StandardCharsets.UTF_8));
        StoreFiles.writeAtomically(target, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(target).hasContent("new");
        assertThat(fileNames()).containsExactly("state.json");
    }

    @Test
    void aWriteThatFailsBeforeTheRenameLeavesTheOldFileWhole() throws IOException {
        Path target = dir.resolve("state.json");
        StoreFiles.writeAtomically(target, "old content".getBytes(StandardCharsets.UTF_8));
        List<String> seenBeforeRename = new ArrayList<>();
        StoreFiles.beforeRename = (temp, t) -> {
            // the new bytes are complete, forced, and in another file; the target is untouched
            seenBeforeRename.add(Files.readString(temp) + " | " + Files.readString(t));
            throw new IOException("injected failure: no space left on device");
        };

        assertThatThrownBy(() -> StoreFiles.writeAtomically(target, "new content".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(target.toString())
                .hasMessageContaining("injected failure");

        assertThat(seenBeforeRename).containsExactly("new content | old content");
        assertThat(target).hasContent("old content");
        assertThat(fileNames()).containsExactly("state.json");
    }

    @Test
    void createDirectoriesMakesEveryMissingLevelAndAcceptsExistingOnes() throws IOException {
        Path nested = dir.resolve("a/b/c");

        StoreFiles.createDirectories(nested);
        StoreFiles.createDirectories(nested);
        StoreFiles.createDirectories(dir);

        assertThat(nested).isDirectory();
        Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> StoreFiles.createDirectories(dir.resolve("file/d"))).isInstanceOf(IOException.class);
    }

    @Test
    void writeAtomicallyCreatesTheDirectory() {
        Path target = dir.resolve("reports/nightly/r.json");

        StoreFiles.writeAtomically(target, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(target).hasContent("{}");
    }

    @Test
    void numbersMustBeWholeAndFitALong() throws IOException {
        JsonNode root = StoreFiles.JSON.readTree(
                "{\"ok\": 9223372036854775807, \"big\": 18446744073709551617, \"half\": 1.5, \"text\": \"1\"}");

        assertThat(StoreFiles.number(root, "ok")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> StoreFiles.number(root, "big")).hasMessageContaining("'big' is not a whole number");
        assertThatThrownBy(() -> StoreFiles.number(root, "half")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StoreFiles.number(root, "text")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StoreFiles.wholeNumber(root.get("big"), "apiCalls.k.2024-05-01"))
                .hasMessageContaining("apiCalls.k.2024-05-01");
    }
}
