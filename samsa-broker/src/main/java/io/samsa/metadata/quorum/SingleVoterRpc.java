package io.samsa.metadata.quorum;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;

/**
 * Ratis's RPC for a quorum of one voter: there is no peer to talk to, so nothing is bound and no transport is loaded
 * (the gRPC transport's classes cost a one-node broker most of a second of CPU at start). Ratis finds this class by
 * its name in the properties, hence public with a public constructor.
 */
public final class SingleVoterRpc implements RpcType {

    public SingleVoterRpc() {}

    @Override
    public String name() {
        return SingleVoterRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory();
    }

    private static final class Factory implements ServerFactory {
        @Override
        public RpcType getRpcType() {
            return new SingleVoterRpc();
        }

        @Override
        public RaftServerRpc newRaftServerRpc(RaftServer server) {
            return new NoPeers();
        }
    }

    /** Every call to a peer fails: a quorum of one never makes one. */
    private static final class NoPeers implements RaftServerRpc {
        private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

        @Override
        public RpcType getRpcType() {
            return new SingleVoterRpc();
        }

        @Override
        public void start() {
            // nothing to bind
        }

        @Override
        public InetSocketAddress getInetSocketAddress() {
            return NOWHERE;
        }

        @Override
        public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
            // no peers
        }

        @Override
        public void addRaftPeers(Collection<RaftPeer> peers) {
            // a quorum of one keeps no connections
        }

        private static IOException noPeers() {
            return new IOException("a metadata quorum of one voter has no peers");
        }

        @Override
        public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
            throw noPeers();
        }

        @Override
        public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
            throw noPeers();
        }

        @Override
        public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
            throw noPeers();
        }

        @Override
        public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
                throws IOException {
            throw noPeers();
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
