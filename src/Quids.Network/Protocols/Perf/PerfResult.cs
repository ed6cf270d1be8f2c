namespace Quids.Network.Protocols.Perf;

/// <summary>What one <c>/perf/1.0.0</c> run measured.</summary>
/// <param name="UploadBytes">Bytes sent to the server.</param>
/// <param name="UploadTime">From stream open until the upload was handed to the stream.</param>
/// <param name="DownloadBytes">Bytes received from the server.</param>
/// <param name="DownloadTime">From the end of the upload until the server closed the stream.</param>
public sealed record PerfResult(long UploadBytes, TimeSpan UploadTime, long DownloadBytes, TimeSpan DownloadTime)
{
    /// <summary>Total time, open to close.</summary>
    public TimeSpan TotalTime => UploadTime + DownloadTime;
}
