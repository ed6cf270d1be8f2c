using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Messaging;

namespace Quids.Network;

public sealed partial class P2PNode
{
    /// <summary>
    /// Counts the messages of one inbound stream in a tally of its own (attached to the connection's and the
    /// node's counters while the stream lives), then runs the handlers.
    /// </summary>
    private sealed class StreamReceiver : IMessageReceiver
    {
        private readonly P2PNode _node;
        private readonly NetworkConnection _network;
        private readonly MessageTally _tally = new();
        private P2PConnection? _connection;

        public StreamReceiver(P2PNode node, NetworkConnection network)
        {
            _node = node;
            _network = network;
            Bind();
        }

        public ValueTask OnMessage(ReadOnlyMemory<byte> message)
        {
            // A stream may open before the node has registered its connection: bound at the first message after.
            if (_connection is null && !Bind())
            {
                return ValueTask.CompletedTask;
            }

            _tally.Increment();
            return _node.OnMessage(_connection!, _network, message);
        }

        public void OnEnded()
        {
            if (_connection is not null)
            {
                _connection.Received.Settle(_tally);
                _node._received.Settle(_tally);
            }
        }

        private bool Bind()
        {
            if (!_node._connections.TryGetValue(_network.Id, out var connection))
            {
                return false;
            }

            connection.Received.Attach(_tally);
            _node._received.Attach(_tally);
            _connection = connection;
            return true;
        }
    }
}
