using WbcNca.Inference;

namespace WbcNca.Review;

/// <summary>A cell to store: the uploaded image as it came and the model's answer for it.</summary>
/// <param name="FileName">The file name the client gave.</param>
/// <param name="Image">The uploaded bytes (JPEG, PNG, BMP or TIFF), stored as they are.</param>
/// <param name="Prediction">The model's answer.</param>
/// <param name="Status">ok, review or not_a_cell, as the model's decision rule said.</param>
/// <param name="Reason">Why the status (empty for ok).</param>
/// <param name="WithUncertainty">True when several runs were averaged, so that the spread is stored too.</param>
public sealed record NewCell(string FileName, byte[] Image, Prediction Prediction, AnswerStatus Status, string Reason, bool WithUncertainty);
