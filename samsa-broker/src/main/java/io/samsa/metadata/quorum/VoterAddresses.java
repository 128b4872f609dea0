package io.samsa.metadata.quorum;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.thirdparty.io.grpc.EquivalentAddressGroup;
import org.apache.ratis.thirdparty.io.grpc.NameResolver;
import org.apache.ratis.thirdparty.io.grpc.NameResolverProvider;
import org.apache.ratis.thirdparty.io.grpc.NameResolverRegistry;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Where this node dials each voter. Ratis keeps its peers' addresses in the replicated configuration, which every node
 * shares; a node must dial a peer only at the address its own {@code controller.quorum.voters} gives (two nodes may
 * reach a third through different proxies). So the Raft group holds logical addresses, {@code samsa-voter://<id>},
 * and this resolver, registered with the gRPC transport, turns them into this node's own address for that voter.
 *
 * <p>One table per JVM (the transport's registry is global): nodes run in one JVM by tests see the same addresses.
 */
public final class VoterAddresses extends NameResolverProvider {

    static final String SCHEME = "samsa-voter";
    private static final VoterAddresses INSTANCE = new VoterAddresses();
    private static final Map<Integer, InetSocketAddress> ADDRESSES = new ConcurrentHashMap<>();

    static {
        NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
    }

    private VoterAddresses() {}

    /** Records where this node reaches each voter (its own configuration). */
    static void use(Map<Integer, InetSocketAddress> voters) {
        ADDRESSES.putAll(voters);
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        String authority = target.getAuthority();
        return new NameResolver() {
            @Override
            public String getServiceAuthority() {
                return authority;
            }

            @Override
            public void start(Listener2 listener) {
                InetSocketAddress address = null;
                try {
                    address = ADDRESSES.get(Integer.parseInt(authority));
                } catch (NumberFormatException e) {
                    // reported below
                }
                if (address == null) {
                    listener.onError(Status.UNAVAILABLE.withDescription("voter " + authority
                            + " is not in this node's controller.quorum.voters"));
                    return;
                }
                // Resolved at each (re)connection, so a name in the configuration follows its DNS record.
                InetSocketAddress resolved = address.isUnresolved()
                        ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
                listener.onResult(ResolutionResult.newBuilder()
                        .setAddresses(List.of(new EquivalentAddressGroup(resolved))).build());
            }

            @Override
            public void shutdown() {
                // nothing held
            }
        };
    }
}
