CREATE TABLE [bronze].[Customer] (
    [CustomerID] INT           NOT NULL,
    [FirstName]  NVARCHAR(50)  NOT NULL,
    [LastName]   NVARCHAR(50)  NOT NULL,
    [Email]      NVARCHAR(200) NULL,
    [City]       NVARCHAR(50)  NULL,
    [IsDeleted]  BIT           NOT NULL,
    [UpdatedAt]  DATETIME      NOT NULL
);
GO
CREATE TABLE [bronze].[Orders] (
    [OrderID]    INT          NOT NULL,
    [CustomerID] INT          NOT NULL,
    [OrderDate]  DATETIME     NOT NULL,
    [Status]     NVARCHAR(20) NOT NULL
);
GO
CREATE TABLE [bronze].[OrderItem] (
    [OrderID]     INT           NOT NULL,
    [ItemNo]      INT           NOT NULL,
    [ProductCode] NVARCHAR(20)  NOT NULL,
    [Qty]         INT           NOT NULL,
    [Price]       DECIMAL(10,2) NOT NULL
);
GO
CREATE TABLE [silver].[DimCustomer] (
    [CustomerKey]  INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    [CustomerCode] NVARCHAR(20)  NOT NULL,
    [FullName]     NVARCHAR(101) NOT NULL,
    [Email]        NVARCHAR(200) NULL,
    [City]         NVARCHAR(50)  NOT NULL,
    [UpdatedAt]    DATETIME      NOT NULL
);
GO
CREATE TABLE [silver].[FactOrderLine] (
    [OrderID]      INT           NOT NULL,
    [ItemNo]       INT           NOT NULL,
    [CustomerCode] NVARCHAR(20)  NOT NULL,
    [OrderDate]    DATETIME      NOT NULL,
    [ProductCode]  NVARCHAR(20)  NOT NULL,
    [Quantity]     INT           NOT NULL,
    [LineAmount]   DECIMAL(12,2) NOT NULL
);
GO
CREATE TABLE [silver].[FactDailyRevenue] (
    [RevenueDate] DATE          NOT NULL,
    [OrderCount]  INT           NOT NULL,
    [ItemCount]   INT           NOT NULL,
    [Revenue]     DECIMAL(14,2) NOT NULL
);
GO
