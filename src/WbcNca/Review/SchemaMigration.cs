namespace WbcNca.Review;

/// <summary>One step of the review database's schema: the SQL that takes a database from version − 1 to this version.</summary>
/// <param name="Version">The schema version after the step (PRAGMA user_version), 1, 2, … in order.</param>
/// <param name="Description">What the step adds, in words.</param>
/// <param name="Sql">The statements, run in one transaction together with setting the version.</param>
public sealed record SchemaMigration(int Version, string Description, string Sql);
