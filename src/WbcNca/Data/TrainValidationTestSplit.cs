namespace WbcNca.Data;

/// <summary>One fold of a k-fold split with a validation part held out of its training part: indices into the
/// split's item list, ascending; the three parts are disjoint and together hold every item.</summary>
/// <param name="Train">Training items (every other fold, less the validation part).</param>
/// <param name="Validation">Items held out of the training part for model selection.</param>
/// <param name="Test">Items of the fold.</param>
public sealed record TrainValidationTestSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test);
