package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

class FileChangeStreamTest {
    private final List<String> opened = new ArrayList<>();

    private FileChangeStream.FileSource file(String name, String content) {
        return FileChangeStream.FileSource.of(name, () -> {
            opened.add(name);
            return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
        });
    }

    private FileChangeStream.Builder stream(FileChangeStream.FileSource... files) {
        return FileChangeStream.builder().files(List.of(files)).requiredHeadings("Id")
                .records((row, cursor) -> RemoteRecord.of(row.get("Id").orElse(""), row.values(), RecordSource.EXPORT_FILE,
                        cursor, row.location()));
    }

    private static List<String> ids(FileChangeStream s) {
        List<String> out = new ArrayList<>();
        try (s) {
            s.forEachRemaining(r -> out.add(r.remoteId()));
        }
        return out;
    }

    @Test
    void severalFilesAreReadInOrderEachOpenedOnlyWhenTheOneBeforeIsDone() {
        FileChangeStream s = stream(file("part1.csv", "Id,Email\n1,a@x.org\n2,b@x.org\n"),
                file("part2.csv", "Id,Email\n3,c@x.org\n")).build();

        assertThat(s.hasNext()).isTrue();
        assertThat(opened).containsExactly("part1.csv");
        assertThat(ids(s)).containsExactly("1", "2", "3");
        assertThat(opened).containsExactly("part1.csv", "part2.csv");
    }

    @Test
    void aRunCutOffInsideAFileResumesAtTheRowAfterTheLastOneApplied() {
        FileChangeStream first = stream(file("part1.csv", "Id\n1\n2\n"), file("part2.csv", "Id\n3\n4\n5\n")).build();
        SyncCursor cut = null;
        for (int i = 0; i < 4; i++) {
            cut = first.next().cursorAfter();
        }
        first.close();
        opened.clear();

        FileChangeStream resumed = stream(file("part1.csv", "Id\n1\n2\n"), file("part2.csv", "Id\n3\n4\n5\n"))
                .resumeFrom(cut).build();

        assertThat(cut).isEqualTo(SyncCursor.of("file", "part2.csv", "line", "3"));
        assertThat(ids(resumed)).containsExactly("5");
        assertThat(opened).containsExactly("part2.csv");
    }

    @Test
    void aLaterFileWithoutAMappedColumnFailsNamingThatFile() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(FieldRule.builder("profile_email").apiName("Email").csvHeading("Email").build()).build();
        FileChangeStream s = stream(file("part1.csv", "Id,Email\n1,a@x.org\n"), file("part2.csv", "Id,E-mail\n2,b@x.org\n"))
                .mappedHeadings(mapping).build();

        assertThat(s.next().remoteId()).isEqualTo("1");
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, s::hasNext);

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).contains("part2.csv").contains("\"Email\"").contains("\"E-mail\"");
    }
}
