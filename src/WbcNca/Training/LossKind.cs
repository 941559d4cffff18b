namespace WbcNca.Training;

/// <summary>The training loss.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy on the class index (default).</summary>
    CrossEntropy,

    /// <summary>The paper's reference loss: sigmoid per class and binary cross-entropy on one-hot targets.</summary>
    BinaryCrossEntropy,
}
