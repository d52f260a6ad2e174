package io.vnetd.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PageMemoryTest {

    private static final long LENGTH = 256L << 20;
    private static final int PAGE = 4096;

    @Test
    void memoryIsZeroedAndBecomesResidentOnlyWhereItIsWritten() throws IOException {
        long before = residentBytes();
        MemorySegment memory = PageMemory.allocate(LENGTH);
        long mapped = residentBytes();

        assertEquals(0, memory.get(ValueLayout.JAVA_LONG, LENGTH - 8));
        assertTrue(mapped - before < LENGTH / 8, "an untouched mapping took " + (mapped - before) + " bytes");

        for (long offset = 0; offset < LENGTH; offset += PAGE) {
            memory.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
        }
        long touched = residentBytes();
        assertTrue(touched - before > LENGTH / 2, "writing every page took only " + (touched - before) + " bytes");
    }

    /** This process's resident memory (VmRSS). */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
