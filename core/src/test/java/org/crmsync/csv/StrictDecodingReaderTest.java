package org.crmsync.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StrictDecodingReaderTest {

    private static String readAll(Reader reader, int chunk) throws IOException {
        StringBuilder out = new StringBuilder();
        char[] buffer = new char[chunk];
        for (int n; (n = reader.read(buffer, 0, chunk)) != -1; ) {
            out.append(buffer, 0, n);
        }
        return out.toString();
    }

    @Test
    void decodesMultiByteCharactersAcrossBufferBoundaries() throws IOException {
        String text = "a\u00e9\u20ac\uD83D\uDE00".repeat(5_000); // 1-, 2-, 3- and 4-byte UTF-8 sequences
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

        assertThat(readAll(new StrictDecodingReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), 1))
                .isEqualTo(text);
        assertThat(readAll(new StrictDecodingReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), 10_000))
                .isEqualTo(text);
    }

    @Test
    void handsOutTheCharactersBeforeBadBytesThenFails() throws IOException {
        byte[] bytes = {'o', 'k', (byte) 0xE9, 'x'};
        Reader reader = new StrictDecodingReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
        char[] buffer = new char[16];

        assertThat(reader.read(buffer, 0, 16)).isEqualTo(2);
        assertThat(new String(buffer, 0, 2)).isEqualTo("ok");
        assertThatThrownBy(() -> reader.read(buffer, 0, 16)).isInstanceOf(MalformedInputException.class);
    }

    @Test
    void truncatedSequenceAtTheEndFails() {
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(euro, 2);

        assertThatThrownBy(() -> readAll(new StrictDecodingReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), 8))
                .isInstanceOf(MalformedInputException.class);
    }

    @Test
    void emptyInputEndsAtOnce() throws IOException {
        Reader reader = new StrictDecodingReader(new ByteArrayInputStream(new byte[0]), StandardCharsets.UTF_8);

        assertThat(reader.read(new char[4], 0, 4)).isEqualTo(-1);
        assertThat(reader.read(new char[4], 0, 4)).isEqualTo(-1);
    }
}
