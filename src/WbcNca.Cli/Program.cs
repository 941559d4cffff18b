using static TorchSharp.torch;
var t = ones(3, 3);
System.Console.WriteLine(t.sum().item<float>());
System.Console.WriteLine(TorchSharp.torch.__version__);
