package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcknowledgedWritesTest {

    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String B = "4e11fa47-71ca-11e1-9e33-c80aa9429562";

    @Test
    void nothingRecordedAsksForNothing() {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        assertThat(acked.isEmpty()).isTrue();
        assertThat(acked.position().isEmpty()).isTrue();
    }

    @Test
    void keepsTheHighestMySqlGtidPerSource() {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        acked.record(A + ":7");
        acked.record(A + ":9");
        acked.record(A.toUpperCase() + ":8"); // an older commit acknowledged later, in another case
        acked.record(B + ":3");
        assertThat(acked.position().toString()).isEqualTo(A + ":9," + B + ":3");
    }

    @Test
    void keepsTheHighestMariaDbGtidPerDomain() {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        acked.record("0-1-100");
        acked.record("0-1-99");
        acked.record("1-2-5");
        acked.record("0-3-101"); // a new primary continues the domain
        assertThat(acked.position().toString()).isEqualTo("0-3-101,1-2-5");
    }

    @Test
    void aSetOfGtidsCountsByItsHighestOnePerSource() {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        acked.record(A + ":1-5:7," + B + ":2");   // several commits in one answer, or a whole gtid_executed
        acked.record("0-1-10,1-1-3");
        assertThat(acked.position().toString()).isEqualTo(A + ":7," + B + ":2");
        AcknowledgedWrites mariadb = new AcknowledgedWrites();
        mariadb.record("0-1-10,1-1-3");
        assertThat(mariadb.position().toString()).isEqualTo("0-1-10,1-1-3");
    }

    @Test
    void textThatIsNoGtidIsIgnored() {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        for (String bad : new String[] {"", "NULL", "x-y-z", A, A + ":", A + ":abc", "0-1-", "-1-2"}) {
            acked.record(bad);
        }
        acked.record(null);
        assertThat(acked.isEmpty()).isTrue();
    }

    @Test
    void concurrentCommitsLeaveTheHighestOfAll() throws InterruptedException {
        AcknowledgedWrites acked = new AcknowledgedWrites();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            threads.add(new Thread(() -> {
                for (int i = 1; i <= 10_000; i++) {
                    acked.record(A + ":" + (i * 4 + offset));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(acked.position().toString()).isEqualTo(A + ":40003");
    }
}
