using System.Globalization;
using BitMiracle.LibTiff.Classic;

namespace WbcNca.Imaging;

/// <summary>
/// Receives LibTiff.NET's error and warning messages (which it would otherwise print to the console)
/// and keeps the first error of the current thread, to be quoted in an <see cref="ImageLoadException"/>.
/// </summary>
internal sealed class TiffMessageCollector : TiffErrorHandler
{
    [ThreadStatic] private static string? firstError;

    /// <summary>The handler installed for the whole process.</summary>
    public static TiffMessageCollector Instance { get; } = new();

    /// <summary>Forgets the current thread's error.</summary>
    public static void Reset() => firstError = null;

    /// <summary>" (libtiff: message)" for the first error on this thread since <see cref="Reset"/>, or "".</summary>
    public static string Detail() => firstError is null ? "" : $" (libtiff: {firstError})";

    /// <inheritdoc/>
    public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) => Keep(format, args);

    /// <inheritdoc/>
    public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

    /// <inheritdoc/>
    public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }

    /// <inheritdoc/>
    public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

    private static void Keep(string format, object[] args)
    {
        if (firstError is not null) return;
        string text;
        try { text = args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args); }
        catch (FormatException) { text = format; }
        firstError = text.ReplaceLineEndings(" ").Trim();
    }
}
