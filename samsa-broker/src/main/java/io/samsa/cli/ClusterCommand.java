package io.samsa.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code samsa cluster info}. */
@Command(name = "cluster", description = "Show the cluster: brokers, controller, metadata quorum.",
        mixinStandardHelpOptions = true, subcommands = ClusterCommand.Info.class)
final class ClusterCommand {

    private ClusterCommand() {}

    @Command(name = "info", description = "Show the cluster id, its brokers, the controller and the metadata quorum.",
            mixinStandardHelpOptions = true)
    static final class Info implements Callable<Integer> {
        @Mixin ClientOptions client;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                DescribeClusterResult cluster = admin.describeCluster();
                String id = client.await(cluster.clusterId(), "describing the cluster");
                Node controller = client.await(cluster.controller(), "describing the cluster");
                List<Node> nodes = new ArrayList<>(client.await(cluster.nodes(), "describing the cluster"));
                nodes.sort(Comparator.comparingInt(Node::id));
                QuorumInfo quorum = quorum(admin);
                List<List<Object>> rows = new ArrayList<>();
                for (Node n : nodes) {
                    rows.add(java.util.Arrays.asList(n.id(), n.host(), n.port(), n.rack(),
                            controller != null && controller.id() == n.id()));
                }
                List<String> keys = List.of("id", "host", "port", "rack", "controller");
                Output out = client.output();
                if (out.json()) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("clusterId", id);
                    json.put("controller", controller == null ? null : controller.id());
                    json.put("brokers", Output.objects(keys, rows));
                    json.put("quorum", quorum == null ? null : quorumJson(quorum));
                    out.value(json, () -> { });
                } else {
                    out.line("Cluster: " + id + "  Controller: " + (controller == null ? "-" : controller.id())
                            + "  Brokers: " + nodes.size());
                    out.line("Quorum: " + (quorum == null ? "not reported (DescribeQuorum is not served)"
                            : "leader " + quorum.leaderId() + ", epoch " + quorum.leaderEpoch() + ", high watermark "
                                    + quorum.highWatermark() + ", voters " + ids(quorum.voters())));
                    out.line("");
                    out.table(List.of("ID", "HOST", "PORT", "RACK", "CONTROLLER"), keys, rows);
                }
            }
            return 0;
        }

        /** The metadata quorum, or null when the cluster does not serve DescribeQuorum. */
        private QuorumInfo quorum(Admin admin) {
            try {
                return admin.describeMetadataQuorum().quorumInfo().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnsupportedVersionException) {
                    return null;
                }
                throw client.failure(e.getCause(), "describing the metadata quorum");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private static List<Integer> ids(Collection<QuorumInfo.ReplicaState> replicas) {
            return replicas.stream().map(QuorumInfo.ReplicaState::replicaId).sorted().toList();
        }

        private static Map<String, Object> quorumJson(QuorumInfo quorum) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("leader", quorum.leaderId());
            json.put("epoch", quorum.leaderEpoch());
            json.put("highWatermark", quorum.highWatermark());
            json.put("voters", ids(quorum.voters()));
            json.put("observers", ids(quorum.observers()));
            return json;
        }
    }
}
