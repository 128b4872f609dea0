package io.samsa.metadata.quorum;

import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataLog;
import io.samsa.metadata.MetadataRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata log as a Raft group on Apache Ratis: every node of the cluster is a voter; one node alone is a group of
 * one voter and runs the same code. The state machine ({@link MetadataStateMachine}) applies committed batches;
 * appends are submitted to the local server, which accepts them only while it leads.
 *
 * <p>Ratis's own RPC server is its gRPC transport, bound to this node's voter address and nothing else.
 */
public final class RatisMetadataLog implements MetadataLog {

    private static final Logger LOG = LoggerFactory.getLogger(RatisMetadataLog.class);

    /**
     * How a node joins the quorum.
     *
     * @param nodeId this node's id, one of the voters
     * @param voters every voter's Raft address as this node reaches it (its own entry is where it listens)
     * @param storageDir where the Raft log and snapshots live
     * @param groupId the Raft group: the same on every node of a cluster, derived from the cluster id
     * @param snapshotEntries a snapshot every this many entries
     * @param segmentBytes the size of a log segment (only whole segments are purged)
     * @param electionTimeout the least time without a leader's heartbeat before a follower stands for election
     * @param appendTimeout how long an append may wait for the quorum before it fails as retriable
     * @param baseImage the image before the first entry, when there is no snapshot (migrated metadata)
     */
    public record Settings(int nodeId, Map<Integer, InetSocketAddress> voters, Path storageDir, UUID groupId,
            long snapshotEntries, int segmentBytes, Duration electionTimeout, Duration appendTimeout,
            Supplier<MetadataImage> baseImage) {}

    /**
     * The quorum as this node sees it, for DescribeQuorum.
     *
     * @param leaderId the leader's node id, or -1 when unknown
     * @param epoch the current term
     * @param highWatermark the commit index
     * @param voters each voter with the log end offset this node knows for it (only the leader knows the others')
     */
    public record QuorumState(int leaderId, long epoch, long highWatermark, List<VoterState> voters) {}

    /** A voter's replication progress: its log end offset (-1 when unknown) and when the leader last heard from it. */
    public record VoterState(int nodeId, long logEndOffset, long lastContactMs) {}

    private final Settings settings;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final RaftGroupId groupId;
    private final RaftPeerId self;
    private RaftServer server;
    private MetadataStateMachine stateMachine;
    private static final long LOG_LOST_AFTER_MS = 2_000;
    /** Voters whose reported log end is short of what this leader believes: node → {log end, since ms}. */
    private final Map<Integer, long[]> suspects = new java.util.HashMap<>();
    private final StuckFollowerWatch stuckFollowers = new StuckFollowerWatch(5_000, System::currentTimeMillis);
    private final java.util.concurrent.ScheduledExecutorService watcher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "samsa-metadata-followers");
                t.setDaemon(true);
                return t;
            });

    public RatisMetadataLog(Settings settings) {
        this.settings = settings;
        if (!settings.voters().containsKey(settings.nodeId())) {
            throw new IllegalArgumentException("node " + settings.nodeId() + " is not among the voters "
                    + settings.voters().keySet());
        }
        this.groupId = RaftGroupId.valueOf(settings.groupId());
        this.self = peerId(settings.nodeId());
    }

    /** A voter's address in the Raft group: its id, resolved by {@link VoterAddresses} from this node's voters. */
    private static String logicalAddress(int nodeId) {
        return VoterAddresses.SCHEME + "://" + nodeId; // a constant: VoterAddresses (and gRPC) stay unloaded
    }

    private static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(String.valueOf(nodeId));
    }

    @Override
    public void start(Listener listener) {
        InetSocketAddress own = settings.voters().get(settings.nodeId());
        RaftProperties props = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(props, List.of(settings.storageDir().toFile()));
        if (settings.voters().size() == 1) {
            org.apache.ratis.RaftConfigKeys.Rpc.setType(props, new SingleVoterRpc());
        } else {
            VoterAddresses.use(settings.voters());
            GrpcConfigKeys.Server.setHost(props, own.getHostString());
            GrpcConfigKeys.Server.setPort(props, own.getPort());
            // Admin and client requests share the one Raft port.
            GrpcConfigKeys.Admin.setPort(props, -1);
            GrpcConfigKeys.Client.setPort(props, -1);
        }
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, settings.snapshotEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        // Purging is conservative: only whole segments, and a snapshot interval's worth of entries before the
        // snapshot stays, so a follower that is a little behind catches up from the log, not by snapshot install.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(props, settings.snapshotEntries());
        RaftServerConfigKeys.Log.setPurgeGap(props, (int) Math.min(Integer.MAX_VALUE, settings.snapshotEntries()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(settings.segmentBytes()));
        long min = settings.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        if (settings.voters().size() == 1) {
            // Alone, there is nobody to wait for: stand for election at once, so a one-node broker starts fast.
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.MILLISECONDS));
        } else {
            // Nodes started together elect a leader soon; a node joining a running cluster hears from its leader
            // first, and its pre-vote is refused while that leader lives, so a short first timeout disturbs nothing.
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, TimeDuration.valueOf(150,
                    TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, TimeDuration.valueOf(300,
                    TimeUnit.MILLISECONDS));
        }
        List<RaftPeer> peers = new ArrayList<>();
        settings.voters().keySet().stream().sorted().forEach(id -> peers.add(RaftPeer.newBuilder().setId(peerId(id))
                .setAddress(logicalAddress(id)).build()));
        stateMachine = new MetadataStateMachine(settings.nodeId(), listener, settings.baseImage());
        try {
            server = RaftServer.newBuilder().setServerId(self).setGroup(RaftGroup.valueOf(groupId, peers))
                    .setStateMachine(stateMachine).setProperties(props).setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            server.start();
            if (settings.voters().size() > 1) {
                watcher.scheduleWithFixedDelay(this::watchFollowers, 1, 1, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the metadata quorum on " + own + " (node " + settings.nodeId()
                    + ", storage " + settings.storageDir() + "): " + e.getMessage(), e);
        }
    }

    private RaftServer.Division division() throws IOException {
        return server.getDivision(groupId);
    }

    /** The index up to which this node's own log is known committed: what a restart replays before it serves. */
    public long lastCommittedAtStart() {
        try {
            return division().getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public CompletableFuture<Long> append(List<MetadataRecord> records) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
                .setGroupId(groupId).setCallId(callIds.incrementAndGet())
                .setMessage(Message.valueOf(MetadataStateMachine.encode(records)))
                .setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(notController(e.toString()));
        }
        return reply.orTimeout(settings.appendTimeout().toMillis(), TimeUnit.MILLISECONDS).handle((r, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof TimeoutException) {
                    throw new CompletionException(new MetadataException(MetadataException.Kind.REQUEST_TIMED_OUT,
                            "The metadata quorum did not commit the change within "
                                    + settings.appendTimeout().toMillis() + " ms."));
                }
                throw new CompletionException(notController(cause.toString()));
            }
            if (!r.isSuccess()) {
                throw new CompletionException(notController(String.valueOf(r.getException())));
            }
            return r.getLogIndex();
        });
    }

    private MetadataException notController(String why) {
        return new MetadataException(MetadataException.Kind.NOT_CONTROLLER, "Node " + settings.nodeId()
                + " cannot append to the metadata log (" + why + "); the controller may have moved: retry.");
    }

    @Override
    public int leaderId() {
        try {
            RaftPeerId leader = division().getInfo().getLeaderId();
            return leader == null ? -1 : Integer.parseInt(leader.toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * On the leader, how long each follower has not answered it (Ratis's time since the last reply to an append or a
     * heartbeat, counted from this leadership's start): evidence for {@link io.samsa.metadata.controller.BrokerSessions}.
     * Unknown nodes, and everything when this node does not lead, count as heard from just now.
     */
    @Override
    public io.samsa.metadata.controller.PeerContact peerContact() {
        Map<Integer, Long> silence = new java.util.HashMap<>();
        try {
            for (VoterState voter : quorum().voters()) {
                if (voter.nodeId() != settings.nodeId() && voter.lastContactMs() > 0) {
                    silence.put(voter.nodeId(), voter.lastContactMs());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("No quorum contact information: {}", e.toString());
        }
        return nodeId -> silence.getOrDefault(nodeId, 0L);
    }

    /** The quorum as this node sees it. */
    public QuorumState quorum() {
        try {
            RaftServer.Division division = division();
            var info = division.getInfo();
            long commit = division.getRaftLog().getLastCommittedIndex();
            long ownEnd = division.getRaftLog().getNextIndex() - 1;
            List<VoterState> voters = new ArrayList<>();
            if (info.isLeader()) {
                RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
                voters.add(new VoterState(settings.nodeId(), ownEnd, 0));
                // Both lists follow the leader's log appenders, in the same order.
                List<RaftProtos.ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
                long[] matched = info.getFollowerMatchIndices();
                for (int i = 0; i < followers.size(); i++) {
                    RaftProtos.ServerRpcProto follower = followers.get(i);
                    voters.add(new VoterState(Integer.parseInt(follower.getId().getId().toStringUtf8()),
                            i < matched.length ? matched[i] : -1, follower.getLastRpcElapsedTimeMs()));
                }
            } else {
                for (int id : settings.voters().keySet()) {
                    voters.add(new VoterState(id, id == settings.nodeId() ? ownEnd : -1, -1));
                }
            }
            voters.sort(java.util.Comparator.comparingInt(VoterState::nodeId));
            return new QuorumState(leaderId(), info.getCurrentTerm(), commit, voters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last index of this node's Raft log, -1 when it is empty. */
    public long logEnd() {
        try {
            return division().getRaftLog().getNextIndex() - 1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * On the leader: a voter reports the end of its Raft log. If the leader believes that voter holds more than that,
     * the voter lost its log (a wiped data directory), and Ratis's leader, which never lowers a follower's match
     * index, would send it nothing it can use; a new leader starts every follower afresh (by snapshot where the log
     * is purged), so leadership goes to a caught-up voter. A report can be a little stale (entries replicated while
     * it travelled), so the voter counts as having lost its log only when it reports the same log end, short of what
     * the leader believes, for {@value #LOG_LOST_AFTER_MS} ms (a voter that lost its log keeps registering; one that
     * did not is registered at once and stops).
     */
    public synchronized void restartIfLogLost(int nodeId, long reportedLogEnd) {
        try {
            RaftServer.Division division = division();
            var info = division.getInfo();
            if (!info.isLeader() || nodeId == settings.nodeId()) {
                return;
            }
            List<RaftProtos.ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            long[] matched = info.getFollowerMatchIndices();
            long lastIndex = division.getRaftLog().getNextIndex() - 1;
            long believed = -1;
            int successor = -1;
            for (int i = 0; i < followers.size() && i < matched.length; i++) {
                int id = Integer.parseInt(followers.get(i).getId().getId().toStringUtf8());
                if (id == nodeId) {
                    believed = matched[i];
                } else if (matched[i] >= lastIndex && successor < 0) {
                    successor = id;
                }
            }
            if (believed <= reportedLogEnd || successor < 0) {
                suspects.remove(nodeId);
                return;
            }
            long now = System.currentTimeMillis();
            long[] suspect = suspects.get(nodeId);
            if (suspect == null || suspect[0] != reportedLogEnd) {
                suspects.put(nodeId, new long[] {reportedLogEnd, now});
                return;
            }
            if (now - suspect[1] < LOG_LOST_AFTER_MS) {
                return;
            }
            suspects.remove(nodeId);
            LOG.warn("Metadata voter {} reports its Raft log ends at {}, but this leader believes it holds up to {}:"
                    + " it lost its log; handing leadership to node {} so that it is caught up afresh", nodeId,
                    reportedLogEnd, believed, successor);
            server.transferLeadershipAsync(new org.apache.ratis.protocol.TransferLeadershipRequest(clientId, self,
                    groupId, callIds.incrementAndGet(), peerId(successor), 3_000));
        } catch (IOException | RuntimeException e) {
            LOG.debug("Checking a voter's log end failed: {}", e.toString());
        }
    }

    /** On the leader: a follower that lost its log is started afresh by a new leader (see StuckFollowerWatch). */
    private void watchFollowers() {
        try {
            RaftServer.Division division = division();
            var info = division.getInfo();
            if (!info.isLeader()) {
                stuckFollowers.reset();
                return;
            }
            List<RaftProtos.ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            long[] matched = info.getFollowerMatchIndices();
            List<StuckFollowerWatch.Follower> state = new ArrayList<>();
            for (int i = 0; i < followers.size() && i < matched.length; i++) {
                state.add(new StuckFollowerWatch.Follower(Integer.parseInt(followers.get(i).getId().getId()
                        .toStringUtf8()), matched[i], followers.get(i).getLastRpcElapsedTimeMs()));
            }
            int successor = stuckFollowers.check(division.getRaftLog().getNextIndex() - 1, state);
            if (successor >= 0) {
                server.transferLeadershipAsync(new org.apache.ratis.protocol.TransferLeadershipRequest(clientId, self,
                        groupId, callIds.incrementAndGet(), peerId(successor), 3_000));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Checking the metadata followers failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("Closing the metadata quorum server failed: {}", e.toString());
            }
        }
    }
}
