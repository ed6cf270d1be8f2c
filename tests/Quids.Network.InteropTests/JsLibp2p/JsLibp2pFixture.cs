namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>
/// Class fixture that installs Node 22 and node_modules before the class's first test runs, so npm's minutes
/// never count against a test's own timeout. Use with <c>IClassFixture&lt;JsLibp2pFixture&gt;</c>.
/// </summary>
public sealed class JsLibp2pFixture : IAsyncLifetime
{
    /// <summary>The installed environment (valid after initialization).</summary>
    public JsEnvironment Environment { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Environment = await JsEnvironment.EnsureAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}
