using WbcNca.Cli;

return CliRunner.Run(WbcNcaRoot.Create(), args);
