namespace WbcNca.IO;

/// <summary>Element types that checkpoint files store and this project can convert to float32.</summary>
internal enum ElementType
{
    Float32,
    Float64,
    Float16,
    BFloat16,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}
