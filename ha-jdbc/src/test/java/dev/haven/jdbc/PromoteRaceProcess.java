package dev.haven.jdbc;

import dev.haven.core.HavenEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One application instance for {@link PromoteAcrossJvmsIT}: opens an {@code HaDataSource} in promote mode, says
 * {@code READY}, and when its standard input says {@code REPORT}, prints the server_id of the primary it writes to
 * and how many promotions it made itself, then exits.
 *
 * <p>Arguments: URL, user, password.
 */
public final class PromoteRaceProcess {

    private PromoteRaceProcess() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger promotions = new AtomicInteger();
        try (HaDataSource ds = HaDataSource.builder().url(args[0]).user(args[1]).password(args[2])
                .listener(e -> {
                    if (e.type() == HavenEvent.Type.PROMOTED) {
                        promotions.incrementAndGet();
                    }
                }).build()) {
            ds.topology();
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("REPORT")) {
                // wait for the parent
            }
            long serverId;
            try (java.sql.Connection c = ds.getConnection()) {
                serverId = ExternalPromotionIT.serverId(c); // a read-write connection: the primary
            }
            System.out.println("PRIMARY " + serverId + " PROMOTIONS " + promotions.get());
            System.out.flush();
        }
    }
}
