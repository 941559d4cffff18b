using Microsoft.Extensions.Logging;

namespace WbcNca.Web;

/// <summary>
/// The server's log: warnings and errors only, each as one line <c>warning: …</c> / <c>error: …</c> on standard error
/// (an exception as its type and message, never a stack trace), so that standard output carries nothing but what the
/// program itself prints. ASP.NET Core's console logger would write information lines to standard output and
/// multi-line stack traces.
/// </summary>
public sealed class OneLineLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly Lock gate = new();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (gate)
        {
            try
            {
                writer.WriteLine(line);
                writer.Flush();
            }
            catch (IOException)
            {
                // A log line that cannot be written (closed stderr) must not fail the request.
            }
        }
    }

    private sealed class Logger(OneLineLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string message = formatter(state, exception);
            if (exception is not null) message += $" ({exception.GetType().Name}: {exception.Message})";
            owner.Write($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {message.ReplaceLineEndings(" ")}");
        }
    }
}
