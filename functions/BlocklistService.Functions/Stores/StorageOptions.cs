using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// Where the tables and blobs live (section <c>Storage</c>). Either a connection string (Azurite, development) or
/// an account name reached with a managed identity (Azure).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>Storage:ConnectionString</c>; wins when set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Storage:AccountName</c>: endpoints https://{name}.table/blob.core.windows.net, token credential.</summary>
    public string? AccountName { get; set; }

    /// <summary><c>Storage:ManagedIdentityClientId</c>: a user-assigned identity; empty for the system identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary><c>Storage:TablePrefix</c>: prepended to every table name (tests isolate themselves with it).</summary>
    [RegularExpression("^[a-z][a-z0-9]{0,20}$|^$")]
    public string TablePrefix { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && string.IsNullOrWhiteSpace(AccountName))
        {
            yield return new ValidationResult(
                "set Storage:ConnectionString (development) or Storage:AccountName (Azure, managed identity)",
                [nameof(ConnectionString), nameof(AccountName)]);
        }
    }
}
