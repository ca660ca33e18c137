package dev.hiringkit.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** WAL positions compare as PostgreSQL compares them: the part before the slash is the high 32 bits. */
class ReadRoutingTest {

    @Test
    void aWalPositionIsItsTwoHexHalves() {
        assertEquals(0x16_B374D848L, ReadRouting.lsn("16/B374D848"));
        assertEquals(0L, ReadRouting.lsn("0/0"));
        assertTrue(ReadRouting.lsn("0/FFFFFFFF") < ReadRouting.lsn("1/0"));
        assertTrue(ReadRouting.lsn("0/3000078") < ReadRouting.lsn("0/301F690"));
    }
}
