package org.crmsync.csv;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.Objects;

/**
 * Decodes bytes and fails on bytes that are not valid in the charset, but only after handing out every
 * character before them. {@link java.io.InputStreamReader} fails a whole block at once, which would make
 * the CSV parser report the error on the line where the block started rather than on the bad record.
 */
final class StrictDecodingReader extends Reader {
    private final InputStream input;
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(8192);
    private final CharBuffer chars = CharBuffer.allocate(8192);
    private boolean endOfInput;
    private boolean flushed;
    private CharacterCodingException failure;

    StrictDecodingReader(InputStream input, Charset charset) {
        this.input = requireNonNull(input, "input");
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        bytes.flip(); // both buffers start empty, ready to be read from
        chars.flip();
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        if (!chars.hasRemaining() && !decode()) {
            return -1;
        }
        int count = Math.min(length, chars.remaining());
        chars.get(buffer, offset, count);
        return count;
    }

    /**
     * Decodes more characters into {@code chars}; false at the end of the input. Bad bytes fail only
     * once the characters before them have been read.
     */
    private boolean decode() throws IOException {
        if (failure != null) {
            throw failure;
        }
        chars.clear();
        try {
            while (chars.position() == 0 && !flushed) {
                CoderResult result = decoder.decode(bytes, chars, endOfInput);
                if (result.isError()) {
                    try {
                        result.throwException();
                    } catch (CharacterCodingException e) {
                        failure = e;
                    }
                    if (chars.position() == 0) {
                        throw failure;
                    }
                } else if (result.isUnderflow() && chars.position() == 0) {
                    if (endOfInput) {
                        decoder.flush(chars);
                        flushed = true;
                    } else {
                        fill();
                    }
                }
                if (failure != null) {
                    break;
                }
            }
        } finally {
            chars.flip();
        }
        return chars.hasRemaining();
    }

    private void fill() throws IOException {
        bytes.compact();
        int read = input.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        if (read < 0) {
            endOfInput = true;
        } else {
            bytes.position(bytes.position() + read);
        }
        bytes.flip();
    }

    @Override
    public void close() throws IOException {
        input.close();
    }
}
