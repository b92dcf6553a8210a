import PCSC
