package dev.haven.samples.drill;

import dev.haven.core.NodeAddress;
import dev.haven.core.PrimaryFencer;
import dev.haven.testkit.LocalCluster;

/**
 * The drill's and the campaign's fencing agent: it powers the old primary off, as a STONITH agent for a VM or a
 * machine would, by killing its process in the test kit's cluster (frozen or not). It comes back only when the
 * drill or the campaign restarts it, read-only as every node boots. Use it with
 * {@code --set ha.failover.fencer=dev.haven.samples.drill.LocalClusterFencer}.
 */
public final class LocalClusterFencer implements PrimaryFencer {

    @Override
    public void fence(NodeAddress primary, long serverId) {
        if (!LocalCluster.killNodeAt(primary.host(), primary.port())) {
            throw new IllegalStateException("no node of a local cluster at " + primary);
        }
    }
}
