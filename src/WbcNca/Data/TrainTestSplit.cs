namespace WbcNca.Data;

/// <summary>One fold of a k-fold split: indices into the split's item list, ascending.</summary>
/// <param name="Train">Items of every other fold.</param>
/// <param name="Test">Items of the fold.</param>
public sealed record TrainTestSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Test);
