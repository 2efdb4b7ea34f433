namespace BlocklistService.Domain.Publishing;

/// <summary>
/// One hotline's support for an entry: its report reference, when its analysts verified the content and the date
/// by which they must re-verify it (after which the backing expires), and the submission item that set it last.
/// </summary>
public sealed record Backing(
    string Hotline,
    string Reference,
    DateTimeOffset VerifiedAt,
    DateTimeOffset ReviewBy,
    string SubmissionId,
    int ItemIndex);
