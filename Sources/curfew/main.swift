import CurfewProxy

#if canImport(Glibc)
import Glibc
#endif

setvbuf(stdout, nil, _IOLBF, 0)
exit(CurfewCommand.main(CommandLine.arguments))
